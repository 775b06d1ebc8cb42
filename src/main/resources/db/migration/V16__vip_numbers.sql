-- Callers put first in the queue by the route script (POSTCALL_VIP, POSTCALL_PRIORITY).
-- number is normalised with route.strip-prefixes / route.keep-digits, as the callers' are.
CREATE TABLE vip_numbers (
  number    VARCHAR(64)  NOT NULL PRIMARY KEY,
  note      VARCHAR(255) NULL,
  added_at  DATETIME(3)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
