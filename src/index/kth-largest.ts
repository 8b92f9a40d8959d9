/**
 * The k-th largest value of `a` (1 <= k <= a.length), by quickselect; reorders `a`. One copy for
 * both stores' top-k cut-offs, so the embedded index and Postgres agree on the same floor.
 */
export function kthLargest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const want = k - 1; // index in descending order
  // Each pass narrows [lo, hi] by at least one element, so the loop is bounded by a.length passes.
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i] = a[j];
        a[j] = x;
        i++;
        j--;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else break;
  }
  return a[want];
}
