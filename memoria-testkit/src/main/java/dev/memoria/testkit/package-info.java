/**
 * The contract test kit: abstract JUnit 5 suites, one test per contract id of Memoria's design,
 * that every backend extends ({@link dev.memoria.testkit.SessionStoreContract},
 * {@link dev.memoria.testkit.RunStoreContract}, {@link dev.memoria.testkit.MemoryStoreContract},
 * {@link dev.memoria.testkit.StoresContract}, {@link dev.memoria.testkit.RuntimeContract}).
 */
package dev.memoria.testkit;
