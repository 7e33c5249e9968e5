"""A SQLite write transaction that takes the write lock at its start (``BEGIN IMMEDIATE``).

eventsourcing begins every transaction with a plain (deferred) ``BEGIN``: the first read
takes a snapshot of the file, and the first write then asks for the write lock. When
another connection committed between the two, SQLite refuses the write at once
(``database is locked``, SQLITE_BUSY_SNAPSHOT) instead of waiting for its lock timeout:
the snapshot read is out of date, and waiting would not make it current. A transaction
that reads and then decides what to write (a table to make only if it is missing, a key
to destroy only if it is not yet) is therefore begun here with ``BEGIN IMMEDIATE``,
which waits for the write lock (up to the lock timeout) before anything is read, so
what it reads cannot move before it writes. eventsourcing offers no such transaction:
this is its own, on a writer connection of the datastore's pool, its errors raised as
eventsourcing's transactions raise them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteTransaction


class _ImmediateTransaction(SQLiteTransaction):
    """eventsourcing's transaction (its commit, rollback and errors), begun immediate."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:  # the lock timeout passed: raised as eventsourcing's
            cursor.sqlite_cursor.close()
            self.__exit__(type(error), error, error.__traceback__)
            raise
        return cursor


@contextmanager
def writing_transaction(datastore: SQLiteDatastore) -> Iterator[SQLiteCursor]:
    """A cursor in a transaction of ``datastore`` that holds the write lock from its start,
    committed at the end (rolled back if the block raises)."""
    with (
        datastore.get_connection(commit=True) as connection,
        _ImmediateTransaction(connection, commit=True) as cursor,
        cursor,
    ):
        yield cursor
