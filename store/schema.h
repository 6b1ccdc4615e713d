#ifndef ESCGATE_SCHEMA_H
#define ESCGATE_SCHEMA_H

/*
 * Migrations, applied in order; PRAGMA user_version is how many have run.
 * Append only: a migration that has shipped is never edited, because
 * stores in CI caches were built by it.
 */
extern const char *const store_migrations[];
extern const int store_schema_version;

#endif
