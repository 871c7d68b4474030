# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Helpers of the bulk statements."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from odoo.tools import SQL


def array_literal(values):
    """``values`` as one PostgreSQL array literal (``'{1,NULL,"a b"}'``), to
    bind with a cast (``%s::int[]``): psycopg2 sends a list as an
    ``ARRAY[...]`` of one constant per item, which the server parses and
    folds item by item (several times slower for the tens of thousands of
    items of a batch)."""
    return "{" + ",".join(map(_array_item, values)) + "}"


def _array_item(value):
    if value.__class__ is int:  # most items: ids
        return str(value)
    if value is None or value is False:
        return "NULL"
    if value is True:
        return "t"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def new_ids(cr, table, count):
    """``count`` ids taken from the sequence of ``table``'s ``id`` column,
    for rows inserted with their ids."""
    cr.execute(
        SQL(
            "SELECT nextval(seq) FROM pg_get_serial_sequence(%s, 'id') seq,"
            " generate_series(1, %s)",
            table,
            count,
        )
    )
    return [row[0] for row in cr.fetchall()]


@contextmanager
def statement_pipeline(cr):
    """Yield ``submit(sql)``: the submitted statements are executed one
    after the other, in their order, by a thread of their own, in ``cr``'s
    transaction (a second cursor of its connection), while the caller
    prepares the next ones: PostgreSQL and Python at work at the same time
    (psycopg2 lets go of the GIL while the server works). The caller must
    not need their results; a query of its own meanwhile waits for the
    connection. They do not go through Odoo's cursor (not in its SQL log nor
    query counts). Leaving the block waits for them all and raises the first
    statement's error; an error of the caller's cancels the statements not
    started yet."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecrm-sql")
    cursor = cr.connection.cursor()
    futures = []

    def submit(query):
        futures.append(executor.submit(cursor.execute, query.code, query.params))

    try:
        yield submit
    except BaseException:
        executor.shutdown(cancel_futures=True)
        cursor.close()
        raise
    executor.shutdown()
    cursor.close()
    for future in futures:
        future.result()
