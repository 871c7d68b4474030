# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """The digest's template failed to render its change column; it now shows
    text the code formats. A record of a noupdate file is only loaded when
    missing: the old one goes, the update creates the new one."""
    cr.execute(
        """
        WITH xmlid AS (
            DELETE FROM ir_model_data
             WHERE module = 'ecrm_metrics' AND name = 'mail_template_ecrm_digest'
            RETURNING res_id
        )
        DELETE FROM mail_template WHERE id IN (SELECT res_id FROM xmlid)
        """
    )
