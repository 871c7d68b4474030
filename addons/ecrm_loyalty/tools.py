# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Helpers of the bulk statements."""


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
