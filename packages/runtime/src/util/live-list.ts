/**
 * The values of something in progress (calls, waits), in the order they began, as a doubly linked
 * list: `add` gives the value's link, `remove` takes it out in constant time.
 *
 * Why not a Set or a Map: one that goes from empty to one entry and back at every call (a call in
 * progress at a time) reallocates its hash table on many of those changes, and V8 links each
 * replaced table to its successor (for iterators that may still walk it). Replaced tables that had
 * reached the old generation thus keep every later table, and what it holds, alive through
 * scavenges until a full collection (figures in the commit that brought this list in).
 * Links are small objects of one shape that die young.
 * Internal to the runtime, not part of its API.
 */

/** A value's place in a {@link LiveList}; pass it to `remove`. */
export class Link<T> {
  readonly value: T;
  previous: Link<T> | undefined = undefined;
  next: Link<T> | undefined = undefined;
  listed = false;

  constructor(value: T) {
    this.value = value;
  }
}

export class LiveList<T> {
  #first: Link<T> | undefined;
  #last: Link<T> | undefined;

  /** Appends `value`; returns its link. */
  add(value: T): Link<T> {
    const link = new Link(value);
    link.listed = true;
    link.previous = this.#last;
    if (this.#last === undefined) this.#first = link;
    else this.#last.next = link;
    this.#last = link;
    return link;
  }

  /** Takes `link` out; a link already taken out is left alone. */
  remove(link: Link<T>): void {
    if (!link.listed) return;
    link.listed = false;
    if (link.previous === undefined) this.#first = link.next;
    else link.previous.next = link.next;
    if (link.next === undefined) this.#last = link.previous;
    else link.next.previous = link.previous;
    link.previous = link.next = undefined;
  }

  /** The first value that satisfies `predicate`, oldest first. */
  find(predicate: (value: T) => boolean): T | undefined {
    for (let link = this.#first; link !== undefined; link = link.next) if (predicate(link.value)) return link.value;
    return undefined;
  }

  /** The values, oldest first (a copy: the list may change while the caller walks it). */
  values(): T[] {
    const values: T[] = [];
    for (let link = this.#first; link !== undefined; link = link.next) values.push(link.value);
    return values;
  }
}
