/** The {@code memoria} command line: {@link dev.memoria.cli.Main}. */
package dev.memoria.cli;
