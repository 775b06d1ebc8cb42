# The envelope prototype measured in docs/recordings.md ("Both directions talking"): not the
# product's rule. Reads WAV paths from stdin, prints FLAG with (lag frames, compared frames,
# correlation, correlation before the meeting point) or ok.
import sys, wave
import numpy as np

def load(p):
    w = wave.open(p)
    return np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(float)

def corr(a, b):
    if a.std() < 1e-9 or b.std() < 1e-9:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])

def lags(s):
    """Per lag L: the log-RMS envelope (20 ms frames) from max(L, N-L) to the end against L earlier,
    and the second before max(L, N-L) (where an overwrite's copies do not repeat)."""
    n = len(s) // 160
    e = np.log10(1 + np.sqrt((s[:n * 160].reshape(n, 160) ** 2).mean(1)))
    out = []
    for L in range(25, n - 25):
        m = max(L, n - L)
        r = np.arange(m, n)
        b = np.arange(max(L, m - 50), m)
        out.append((L, len(r), corr(e[r], e[r - L]), corr(e[b], e[b - L]) if len(b) >= 10 else None))
    return out

def repeated_elsewhere(s, lag):
    """Share of non-silent frames whose exact bytes occur again in the file at another distance
    than lag (+-2 frames): tones and played loops repeat byte for byte, noise and speech never."""
    n = len(s) // 160
    fr = s[:n * 160].reshape(n, 160).astype('<i2')
    at, keys = {}, []
    for i in range(n):
        k = None if (fr[i] == fr[i][0]).all() else fr[i].tobytes()
        keys.append(k)
        if k is not None:
            at.setdefault(k, []).append(i)
    heard = [i for i, k in enumerate(keys) if k is not None]
    dup = sum(1 for i in heard if any(j != i and abs(abs(j - i) - lag) > 2 for j in at[keys[i]]))
    return dup / max(1, len(heard))

def decide(p, th=0.85):
    s = load(p)
    for L, l, a, b in sorted(lags(s), key=lambda t: -t[2]):
        if l < 50 or a < th or (b is not None and b >= 0.5):
            continue
        d = repeated_elsewhere(s, L)
        return [(L, l, round(a, 3), b, 'repeats elsewhere %.2f' % d)] if d < 0.05 else []
    return []

for p in sys.stdin.read().split():
    h = decide(p)
    print(('FLAG ' if h else 'ok   ') + p, h if h else '')
