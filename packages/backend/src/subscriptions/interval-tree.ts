/**
 * A dynamic set of half-open byte intervals `[start, end)` (`end: null` = unbounded) that answers
 * "which intervals contain this key?" in O(log n + k): a treap ordered by `start`, each node
 * augmented with the largest `end` in its subtree so a stabbing query skips every subtree whose
 * intervals all end at or before the key.
 */
import { compareKeys } from "./keys.js";

export interface IntervalHandle<T> {
  readonly start: Uint8Array;
  readonly end: Uint8Array | null;
  readonly value: T;
}

interface Node<T> extends IntervalHandle<T> {
  /** Tie-breaker among equal starts, so every node has a unique position. */
  readonly seq: number;
  readonly priority: number;
  left: Node<T> | null;
  right: Node<T> | null;
  /** Largest `end` in this subtree; null = unbounded. */
  maxEnd: Uint8Array | null;
}

/** `null` is +∞. */
const maxOf = (a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null =>
  a === null || b === null ? null : compareKeys(a, b) >= 0 ? a : b;

function update<T>(n: Node<T>): void {
  let m = n.end;
  if (n.left) m = maxOf(m, n.left.maxEnd);
  if (n.right) m = maxOf(m, n.right.maxEnd);
  n.maxEnd = m;
}

function order<T>(a: { start: Uint8Array; seq: number }, b: Node<T>): number {
  return compareKeys(a.start, b.start) || a.seq - b.seq;
}

export class IntervalTree<T> {
  private root: Node<T> | null = null;
  private nextSeq = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(start: Uint8Array, end: Uint8Array | null, value: T): IntervalHandle<T> {
    const node: Node<T> = {
      start,
      end,
      value,
      seq: this.nextSeq++,
      priority: Math.random(),
      left: null,
      right: null,
      maxEnd: end,
    };
    this.root = this.insertAt(this.root, node);
    this.count++;
    return node;
  }

  remove(handle: IntervalHandle<T>): boolean {
    const node = handle as Node<T>;
    const before = this.count;
    this.root = this.removeAt(this.root, node);
    return this.count < before;
  }

  /** Calls `visit` for every interval containing `key` (start ≤ key < end). */
  stab(key: Uint8Array, visit: (value: T) => void): void {
    // Explicit stack: depth is O(log n) expected, but a stack keeps worst cases off the JS stack.
    const stack: Node<T>[] = [];
    if (this.root) stack.push(this.root);
    while (stack.length) {
      const n = stack.pop()!;
      if (n.maxEnd !== null && compareKeys(n.maxEnd, key) <= 0) continue;
      if (n.left) stack.push(n.left);
      if (compareKeys(n.start, key) <= 0) {
        if (n.end === null || compareKeys(key, n.end) < 0) visit(n.value);
        if (n.right) stack.push(n.right);
      }
    }
  }

  private insertAt(root: Node<T> | null, node: Node<T>): Node<T> {
    if (!root) return node;
    if (order(node, root) < 0) {
      root.left = this.insertAt(root.left, node);
      if (root.left.priority > root.priority) root = rotateRight(root);
    } else {
      root.right = this.insertAt(root.right, node);
      if (root.right.priority > root.priority) root = rotateLeft(root);
    }
    update(root);
    return root;
  }

  private removeAt(root: Node<T> | null, node: Node<T>): Node<T> | null {
    if (!root) return null;
    if (root === node) {
      this.count--;
      return merge(root.left, root.right);
    }
    if (order(node, root) < 0) root.left = this.removeAt(root.left, node);
    else root.right = this.removeAt(root.right, node);
    update(root);
    return root;
  }
}

function rotateRight<T>(n: Node<T>): Node<T> {
  const l = n.left!;
  n.left = l.right;
  l.right = n;
  update(n);
  update(l);
  return l;
}

function rotateLeft<T>(n: Node<T>): Node<T> {
  const r = n.right!;
  n.right = r.left;
  r.left = n;
  update(n);
  update(r);
  return r;
}

/** Joins two treaps where every key of `a` sorts before every key of `b`. */
function merge<T>(a: Node<T> | null, b: Node<T> | null): Node<T> | null {
  if (!a) return b;
  if (!b) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    update(a);
    return a;
  }
  b.left = merge(a, b.left);
  update(b);
  return b;
}
