/** Conversation sessions: {@link dev.memoria.session.Session} and {@link dev.memoria.session.SessionStore}. */
package dev.memoria.session;
