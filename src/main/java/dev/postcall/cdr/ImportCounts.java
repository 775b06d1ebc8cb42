package dev.postcall.cdr;

/** What an import step did: lines read, and what became of them. Not thread-safe. */
public final class ImportCounts {
  long lines;
  long malformed;
  long skipped;
  long fresh;
  long duplicate;
  long filled;
  long corrections;

  public long lines() {
    return lines;
  }

  public long malformed() {
    return malformed;
  }

  /** Rows that are not calls (Local ;1 halves, other contexts, before --since). */
  public long skipped() {
    return skipped;
  }

  /** New calls stored, each with a job. */
  public long fresh() {
    return fresh;
  }

  /** Calls already known (from the AGI path or an earlier read). */
  public long duplicate() {
    return duplicate;
  }

  /** Known calls whose timing Master.csv filled or corrected before the upload. */
  public long filled() {
    return filled;
  }

  /** Known, already uploaded calls whose Master.csv timing was recorded as a correction. */
  public long corrections() {
    return corrections;
  }

  void add(ImportCounts o) {
    lines += o.lines;
    malformed += o.malformed;
    skipped += o.skipped;
    fresh += o.fresh;
    duplicate += o.duplicate;
    filled += o.filled;
    corrections += o.corrections;
  }

  @Override
  public String toString() {
    return "rows read " + lines + ", new " + fresh + ", duplicate " + duplicate + ", malformed " + malformed
        + ", not calls " + skipped + ", timing filled " + filled + ", corrections " + corrections;
  }
}
