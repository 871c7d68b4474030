# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """SLA hours are bounded now (SQL CHECKs): 0 meant the 24-hour default,
    beyond a year meant "no SLA"."""
    cr.execute(
        """
        UPDATE ecrm_level
           SET sla_hours = CASE WHEN sla_hours > 0 THEN 8760 ELSE 24 END
         WHERE sla_hours IS NULL OR sla_hours <= 0 OR sla_hours > 8760
        """
    )
    cr.execute(
        """
        UPDATE ecrm_sla_policy
           SET resolution_hours = 8760
         WHERE resolution_hours > 8760
        """
    )
