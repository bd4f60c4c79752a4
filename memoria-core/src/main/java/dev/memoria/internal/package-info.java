/**
 * The value rules of ids, labels, text and JSON that the records, specs and filters of
 * {@code memoria-core} apply. Not an API: this package may change in any release. Backend
 * authors use {@link dev.memoria.spi}, which offers what a store needs.
 */
package dev.memoria.internal;
