/**
 * What was derived from an immutable object, kept as long as the object lives: the registry hands out the same page
 * object until it changes, so each face (REST, MCP) renders it once.
 */
export class WeakMemo<K extends object, V> {
  private readonly values = new WeakMap<K, V>();

  get(key: K, derive: (key: K) => V): V {
    let value = this.values.get(key);
    if (value === undefined) {
      value = derive(key);
      this.values.set(key, value);
    }
    return value;
  }
}
