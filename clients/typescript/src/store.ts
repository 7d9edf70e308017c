// Where the cursor, the merge's memory and the send queue live between runs. The memory store
// forgets on exit; the localStorage adapter keeps a browser tab's state across reloads. Anything
// else (IndexedDB, a file, React Native's AsyncStorage) is the same two async methods.

export interface ClientStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

export class MemoryStore implements ClientStore {
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
}

/** The subset of the Web Storage API the adapter uses, so tests and non-browser hosts can pass their own. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export class LocalStorageStore implements ClientStore {
  private readonly storage: WebStorageLike;

  /** `prefix` keeps several users (or apps) of one origin apart. */
  constructor(private readonly prefix = "messageplatform:", storage?: WebStorageLike) {
    const fallback = (globalThis as { localStorage?: WebStorageLike }).localStorage;
    if (!storage && !fallback) throw new Error("LocalStorageStore needs localStorage (a browser) or a storage passed in");
    this.storage = storage ?? fallback!;
  }

  async get(key: string): Promise<string | null> {
    return this.storage.getItem(this.prefix + key);
  }

  async set(key: string, value: string): Promise<void> {
    this.storage.setItem(this.prefix + key, value);
  }
}
