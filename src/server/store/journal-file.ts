import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * The store's file on disk: appends at a known offset with an fsync, and snapshots written whole
 * (temp file, fsync, rename, fsync of the directory: DESIGN §5). It counts its fsyncs, so that
 * the batching of concurrent puts is observable (`PropertyStore.stats`).
 */
export class JournalFile {
  readonly path: string;
  #fsyncs = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** fsync calls made so far (appends, snapshots and their directory). */
  get fsyncs(): number {
    return this.#fsyncs;
  }

  /** The file's text, or undefined when it does not exist. Throws the fs error otherwise. */
  readText(): string | undefined {
    try {
      return readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /**
   * Writes `text` at `offset` (the end of the last durable record) and fsyncs. On failure the
   * file is cut back to `offset`, so that a half-written record never precedes the next one;
   * if even that fails, the caller must call `truncate` before its next append.
   */
  async append(text: string, offset: number): Promise<void> {
    const fh = await open(this.path, "r+");
    try {
      try {
        const data = Buffer.from(text, "utf8");
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await fh.write(data, done, data.length - done, offset + done);
          done += bytesWritten;
        }
        this.#fsyncs++;
        await fh.sync();
      } catch (err) {
        // A record the client is told failed must not come back at the next start.
        await fh.truncate(offset).then(() => { this.#fsyncs++; return fh.sync(); })
          .catch((cutErr: unknown) => { throw new AggregateError([err, cutErr], "append failed, and cutting it back failed too"); });
        throw err;
      }
    } finally {
      await fh.close();
    }
  }

  /** Cuts the file back to `length` bytes (a torn tail, or what a failed append may have left). */
  async truncate(length: number): Promise<void> {
    const fh = await open(this.path, "r+");
    try {
      await fh.truncate(length);
      this.#fsyncs++;
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /**
   * Replaces the file with `text` atomically and durably. A failure before the rename leaves the
   * old file as it was and throws; a failed fsync of the directory after it is returned, since
   * the new file is then in place.
   */
  async writeSnapshot(text: string): Promise<{ dirSyncError?: unknown }> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = this.#tempPath();
    try {
      const fh = await open(tmp, "w", 0o600);
      try {
        await fh.writeFile(text, "utf8");
        this.#fsyncs++;
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    try {
      const dh = await open(dir, "r");
      try {
        this.#fsyncs++;
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch (err) {
      return { dirSyncError: err };
    }
    return {};
  }

  /** `writeSnapshot` at startup, before anything else runs (the repair of a damaged file). */
  writeSnapshotSync(text: string): void {
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true });
    const tmp = this.#tempPath();
    try {
      const fd = openSync(tmp, "w", 0o600);
      try {
        writeSync(fd, text);
        this.#fsyncs++;
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    const dfd = openSync(dir, "r");
    try {
      this.#fsyncs++;
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  /** Renames the file to `<file>.damaged-<UTC time>` beside it; returns the new path. */
  moveAsideSync(now: Date): string {
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    const target = join(dirname(this.path), `${basename(this.path)}.damaged-${stamp}`);
    renameSync(this.path, target);
    return target;
  }

  #tempPath(): string {
    return `${this.path}.tmp-${process.pid}`;
  }
}
