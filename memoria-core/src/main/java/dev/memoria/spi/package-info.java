/**
 * For authors of backends: the {@link dev.memoria.spi.StoreProvider} service interface, and the
 * shared rules every store applies ({@link dev.memoria.spi.Checks} for arguments,
 * {@link dev.memoria.spi.Json} for JSON values, {@link dev.memoria.spi.Cursors} for paging), so
 * that a custom backend refuses and pages exactly as the built-in ones do.
 */
package dev.memoria.spi;
