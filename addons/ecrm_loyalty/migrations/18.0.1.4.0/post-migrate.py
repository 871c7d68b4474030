# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL
from odoo.tools.sql import column_exists

# the old comma-separated column (renamed by pre-migrate) -> (relation
# table, tag kind)
AUDIENCE_TAGS = {
    "ecrm_old_lifecycle_stages": ("ecrm_coupon_rule_stage_rel", "lifecycle_stage"),
    "ecrm_old_rfm_segments": ("ecrm_coupon_rule_segment_rel", "rfm_segment"),
}


def migrate(cr, version):
    """The audience filter of an existing rule is read as the last user who
    wrote the rule (it was read as superuser); the rules' comma-separated
    lifecycle stages and RFM segments become their tags (unknown codes were
    refused by a constraint), and the text columns go."""
    cr.execute(
        SQL(
            "UPDATE ecrm_coupon_rule SET audience_uid = write_uid"
            " WHERE audience_uid IS NULL"
        )
    )
    for column, (relation, kind) in AUDIENCE_TAGS.items():
        if not column_exists(cr, "ecrm_coupon_rule", column):
            continue
        cr.execute(
            SQL(
                """
                INSERT INTO %(relation)s (rule_id, tag_id)
                SELECT DISTINCT r.id, t.id
                  FROM ecrm_coupon_rule r
                 CROSS JOIN LATERAL
                       unnest(string_to_array(r.%(column)s, ',')) AS c(code)
                  JOIN ecrm_audience_tag t ON t.kind = %(kind)s
                                          AND t.code = btrim(c.code)
                    ON CONFLICT DO NOTHING
                """,
                relation=SQL.identifier(relation),
                column=SQL.identifier(column),
                kind=kind,
            )
        )
        cr.execute(
            SQL("ALTER TABLE ecrm_coupon_rule DROP COLUMN %s", SQL.identifier(column))
        )
