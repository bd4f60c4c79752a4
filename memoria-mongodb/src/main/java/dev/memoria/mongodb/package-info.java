/**
 * Memoria's stores on MongoDB: {@link dev.memoria.mongodb.MongoStores#create(com.mongodb.client.MongoDatabase)}.
 */
package dev.memoria.mongodb;
