/** Agent runs inside sessions: {@link dev.memoria.run.Run}, its lifecycle and {@link dev.memoria.run.RunStore}. */
package dev.memoria.run;
