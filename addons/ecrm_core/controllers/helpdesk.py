# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController


class EcrmHelpdeskTicketController(HelpdeskTicketController):
    @http.route("/ticket/close", type="http", auth="user", methods=["POST"])
    def support_ticket_close(self, ticket_id="", stage_id="", **kw):
        """Close a ticket from the portal: POST with the CSRF token (helpdesk_mgmt's
        GET route let any link or image close any ticket), the ticket looked up
        with the user's own rights — another customer's ticket is not found —,
        and only into a stage open to portal closing."""
        if not (str(ticket_id).isdigit() and str(stage_id).isdigit()):
            raise NotFound()
        ticket = request.env["helpdesk.ticket"].browse(int(ticket_id)).exists()
        try:
            ticket.check_access("write" if request.env.user._is_internal() else "read")
        except AccessError as e:
            raise NotFound() from e
        if not ticket:
            raise NotFound()
        stage = (
            request.env["helpdesk.ticket.stage"].sudo().browse(int(stage_id)).exists()
        )
        if not stage.close_from_portal:
            raise NotFound()
        ticket.sudo().stage_id = stage
        return request.redirect(f"/my/ticket/{ticket.id}")
