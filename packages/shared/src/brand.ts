/** Nominal typing for strings and numbers that must not be mixed up (ids, keys, timestamps). */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };
