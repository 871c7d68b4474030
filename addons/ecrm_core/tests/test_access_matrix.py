# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.ecrm_core.models.ecrm_selection import CONTACT_CHANNELS

# The roles, each a user of company A only (public: no session).
ROLES = {
    "public": None,
    "portal": "base.group_portal",
    "employee": "base.group_user",
    "ecrm_user": "ecrm_core.group_ecrm_user",
    "ecrm_manager": "ecrm_core.group_ecrm_manager",
    "helpdesk_own": "helpdesk_mgmt.group_helpdesk_user_own",
    "salesman_own": "sales_team.group_sale_salesman",
}
INTERNAL = {"employee", "ecrm_user", "ecrm_manager", "helpdesk_own", "salesman_own"}
ECRM = {"ecrm_user", "ecrm_manager"}
MANAGER = {"ecrm_manager"}
HELPDESK = {"helpdesk_own"}
# The errors of a call refused for want of rights (public: no session)
REFUSALS = ("odoo.exceptions.AccessError", "odoo.http.SessionExpiredException")
# "Whoever may read the record" (see RECORD_READERS)
ANY = "any"

# Model -> {operations ("rcwu"): roles}; a role not listed may do nothing.
# Read, write and unlink are tried on a record of company A (the users'
# company); a record of company B is never readable. Transient models: create.
MODEL_ACCESS = {
    # fits are made by the scheduler; managers may delete old ones
    "ecrm.clv.model": {"r": ECRM - MANAGER, "ru": MANAGER},
    "ecrm.consent": {"rcw": ECRM - MANAGER, "rcwu": MANAGER},
    "ecrm.faq.article": {"r": INTERNAL - ECRM, "rcw": ECRM - MANAGER, "rcwu": MANAGER},
    "ecrm.faq.category": {"r": INTERNAL - MANAGER, "rcwu": MANAGER},
    "ecrm.interaction": {"r": ECRM},
    "ecrm.interaction.log": {"rcw": ECRM - MANAGER, "rcwu": MANAGER},
    "ecrm.level": {"r": INTERNAL - MANAGER, "rcwu": MANAGER},
    # append-only: written by the engine only
    "ecrm.level.history": {"r": ECRM},
    "ecrm.lifecycle.history": {"r": ECRM},
    "ecrm.level.pin.wizard": {"c": MANAGER},
    "ecrm.profile": {"r": ECRM - MANAGER, "rcwu": MANAGER},
    "ecrm.routing.rule": {"r": HELPDESK, "rcwu": MANAGER},
    "ecrm.service": {"r": INTERNAL - MANAGER, "rcwu": MANAGER},
    "ecrm.sla.policy": {"r": HELPDESK, "rcwu": MANAGER},
}

# A harmless write on each model
WRITES = {
    "ecrm.clv.model": {"message": "Matrix"},
    "ecrm.consent": {"note": "Matrix"},
    "ecrm.faq.article": {"name": "Matrix question"},
    "ecrm.faq.category": {"name": "Matrix category"},
    "ecrm.interaction": {"summary": "Matrix"},
    "ecrm.interaction.log": {"summary": "Matrix"},
    "ecrm.level": {"color": 2},
    "ecrm.level.history": {"note": "Matrix"},
    "ecrm.lifecycle.history": {"to_stage": "churned"},
    "ecrm.profile": {"level_pin_reason": "Matrix"},
    "ecrm.routing.rule": {"name": "Matrix rule"},
    "ecrm.service": {"name": "Matrix service"},
    "ecrm.sla.policy": {"name": "Matrix policy"},
}

# Roles that read the record of company A of each Odoo model extended
RECORD_READERS = {
    # the portal user is the customer: their own partner, order and ticket
    "res.partner": INTERNAL | {"portal"},
    "res.company": INTERNAL | {"portal"},
    "sale.order": {"portal", "salesman_own"},
    "helpdesk.ticket": {"portal", "helpdesk_own"},
    "helpdesk.ticket.team": INTERNAL | {"portal"},
    "helpdesk.ticket.channel": INTERNAL,
}
# Field added by ecrm_core to an Odoo model -> roles that read it (among the
# readers of the record). A customer's value: eCRM users; notes: managers.
PARTNER_FIGURES = (
    "profile_ids profile_id level_id level_pinned level_below_since "
    "level_history_ids lifecycle_stage lifecycle_date lifecycle_history_ids "
    "first_order_date last_order_date order_count recency_days frequency monetary "
    "r_score f_score m_score rfm_segment aov clv churn_risk tenure_days "
    "inferred_category_ids consent_ids interaction_ids interaction_count "
    "p_alive expected_orders predicted_clv next_order_date"
)
TICKET_SLA = (
    "level_id first_response_deadline first_response_date sla_at_risk_date "
    "resolution_deadline sla_state sla_breach_notified acknowledged_at"
)
COMPANY_SETTINGS = (
    "window_days acquisition_days at_risk_factor churn_days extension_categories "
    "downgrade_grace_days clv_horizon_years consent_required "
    "prediction_horizon_days clv_refit_days clv_min_customers clv_min_repeaters "
    "at_risk_churn_threshold"
)
FIELD_ACCESS = {
    "res.partner": {
        **{f"ecrm_{name}": ECRM for name in PARTNER_FIGURES.split()},
        "ecrm_level_pin_reason": MANAGER,
        # what the customer told us, not what they are worth
        "ecrm_preferred_channel": ANY,
        "ecrm_category_ids": ANY,
    },
    "sale.order": {
        "ecrm_channel": ANY,
        "ecrm_commercial_partner_id": ANY,
        "ecrm_level_id": ECRM,
    },
    "helpdesk.ticket": {
        **{f"ecrm_{name}": HELPDESK for name in TICKET_SLA.split()},
        # the ticket's own partner_email, normalised
        "ecrm_sender_email": ANY,
    },
    "res.company": {
        **{f"ecrm_{name}": ANY for name in COMPANY_SETTINGS.split()},
        # the revenue quintiles of the customers, the engine's errors
        "ecrm_rfm_cuts": MANAGER,
        "ecrm_extension_counted": MANAGER,
        "ecrm_last_run": MANAGER,
        "ecrm_last_run_error": MANAGER,
        # the model in use and a pending fit: the engine's state
        "ecrm_clv_model_id": MANAGER,
        "ecrm_clv_fit_requested": MANAGER,
    },
    "helpdesk.ticket.team": {
        "resource_calendar_id": ANY,
        "ecrm_sla_at_risk_percent": ANY,
        "ecrm_ack_limit_per_hour": ANY,
        "ecrm_ack_team_limit_per_hour": ANY,
        "ecrm_ack_quote_unknown": ANY,
    },
    "helpdesk.ticket.channel": {"ecrm_channel": ANY},
}


def _allowed(model, role):
    return "".join(ops for ops, roles in MODEL_ACCESS[model].items() if role in roles)


@tagged("post_install", "-at_install")
class TestAccessMatrix(HttpCase):
    """Role × model × operation over JSON-RPC, in two companies, against the
    tables above; every model and every field ecrm_core adds must be in them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a, cls.company_b = cls.env["res.company"].create(
            [{"name": "Matrix A"}, {"name": "Matrix B"}]
        )
        cls.env.user.company_ids |= cls.company_a | cls.company_b
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"matrix_{role}",
                groups=groups,
                company_id=cls.company_a.id,
                company_ids=[Command.set(cls.company_a.ids)],
            )
            for role, groups in ROLES.items()
            if groups
        }
        cls.customer = cls.users["portal"].partner_id
        cls.customer.company_id = False
        cls.counter = 0
        cls.teams = cls.env["helpdesk.ticket.team"].create(
            [
                {"name": f"Matrix team {c.name}", "company_id": c.id}
                for c in (cls.company_a, cls.company_b)
            ]
        )
        cls.records = {
            model: (cls._fresh(model, cls.company_a), cls._fresh(model, cls.company_b))
            for model in MODEL_ACCESS
            if not cls.env[model]._transient
        }
        product = cls.env["product.product"].create({"name": "Matrix product"})
        order = (
            cls.env["sale.order"]
            .with_company(cls.company_a)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "user_id": cls.users["salesman_own"].id,
                    "company_id": cls.company_a.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
        )
        order.action_confirm()
        cls.odoo_records = {
            "res.partner": cls.customer,
            "res.company": cls.company_a,
            "sale.order": order,
            "helpdesk.ticket": cls.env["helpdesk.ticket"]
            .with_company(cls.company_a)
            .create(
                {
                    "name": "Matrix ticket",
                    "description": "<p>Matrix</p>",
                    "partner_id": cls.customer.id,
                    "user_id": cls.users["helpdesk_own"].id,
                    "company_id": cls.company_a.id,
                    "team_id": cls.teams[0].id,
                }
            ),
            "helpdesk.ticket.team": cls.teams[0],
            "helpdesk.ticket.channel": cls.env["helpdesk.ticket.channel"].create(
                {"name": "Matrix channel", "company_id": cls.company_a.id}
            ),
        }

    @classmethod
    def _vals(cls, model, company):
        """Values of a new record of ``model`` in ``company`` (each call a new
        customer, name or code, for the unique constraints)."""
        cls.counter += 1
        n = cls.counter
        partner = cls.env["res.partner"].create({"name": f"Matrix customer {n}"})
        team = cls.teams[0] if company == cls.company_a else cls.teams[1]
        vals = {
            "ecrm.clv.model": {"as_of": "2026-01-01", "state": "insufficient"},
            "ecrm.consent": {
                "partner_id": partner.id,
                "channel": CONTACT_CHANNELS[n % len(CONTACT_CHANNELS)][0],
            },
            "ecrm.faq.article": {"name": f"Matrix question {n}"},
            "ecrm.faq.category": {"name": f"Matrix category {n}"},
            "ecrm.interaction": {"summary": f"Matrix {n}"},
            "ecrm.interaction.log": {"partner_id": partner.id, "summary": f"Call {n}"},
            "ecrm.level": {"name": f"Matrix level {n}", "sequence": -n},
            "ecrm.level.history": {
                "partner_id": partner.id,
                "reason": "manual",
                "to_level_id": cls.env.ref("ecrm_core.ecrm_level_foundational").id,
            },
            "ecrm.lifecycle.history": {
                "partner_id": partner.id,
                "to_stage": "retention",
            },
            "ecrm.level.pin.wizard": {
                "partner_ids": [Command.set(partner.ids)],
                "level_id": cls.env.ref("ecrm_core.ecrm_level_foundational").id,
                "reason": "Matrix",
            },
            "ecrm.profile": {"partner_id": partner.id},
            "ecrm.routing.rule": {"name": f"Matrix rule {n}", "team_id": team.id},
            "ecrm.service": {"name": f"Matrix service {n}", "code": f"matrix_{n}"},
            "ecrm.sla.policy": {"name": f"Matrix policy {n}", "resolution_hours": 8},
        }[model]
        if "company_id" in cls.env[model]._fields:
            vals["company_id"] = company.id
        return vals

    @classmethod
    def _fresh(cls, model, company):
        """A record of ``model`` in ``company``, made as superuser."""
        Model = cls.env[model].with_company(company)
        if not Model._auto:
            # the timeline is a view: a row from a logged interaction
            log = cls._fresh("ecrm.interaction.log", company)
            return Model.search(
                [("res_model", "=", log._name), ("res_id", "=", log.id)]
            )
        return Model.create(cls._vals(model, company))

    def call(self, model, method, *args):
        """True if the JSON-RPC call of ``model.method`` was accepted, False
        if it was refused for want of rights (any other error fails)."""
        params = {"model": model, "method": method, "args": list(args), "kwargs": {}}
        try:
            self.make_jsonrpc_request("/web/dataset/call_kw", params)
        except JsonRpcException as error:
            self.assertIn(error.args[0], REFUSALS, (model, method, args))
            return False
        return True

    def login(self, role):
        user = self.users.get(role)
        self.authenticate(user and user.login, user and user.login)

    def test_expectations_cover_every_model_and_field(self):
        models = {
            name
            for name, model in self.registry.items()
            if model._original_module == "ecrm_core" and not model._abstract
        }
        self.assertEqual(models, set(MODEL_ACCESS))
        fields = {
            (name, fname)
            for name, model in self.registry.items()
            if model._original_module != "ecrm_core" and not model._transient
            for fname, field in model._fields.items()
            if field._module == "ecrm_core"
        }
        expected = {(m, f) for m, names in FIELD_ACCESS.items() for f in names}
        self.assertEqual(fields, expected)

    def test_models(self):
        failures = []
        for role in ROLES:
            self.login(role)
            for model in MODEL_ACCESS:
                allowed = _allowed(model, role)
                transient = self.env[model]._transient
                done = {
                    "c": self.call(model, "create", self._vals(model, self.company_a))
                }
                if not transient:
                    mine, theirs = self.records[model]
                    done["r"] = self.call(model, "read", mine.ids, ["display_name"])
                    done["w"] = self.call(model, "write", mine.ids, WRITES[model])
                    fresh = self._fresh(model, self.company_a)
                    done["u"] = self.call(model, "unlink", fresh.ids)
                    if "company_id" in self.env[model]._fields and self.call(
                        model, "read", theirs.ids, ["display_name"]
                    ):
                        failures.append((role, model, "read of company B"))
                for op, accepted in done.items():
                    if accepted != (op in allowed):
                        failures.append((role, model, op, accepted))
        self.assertFalse(failures)

    def test_fields(self):
        failures = []
        for role in ROLES:
            self.login(role)
            for model, fields in FIELD_ACCESS.items():
                record = self.odoo_records[model]
                reads = self.call(model, "read", record.ids, ["display_name"])
                if reads != (role in RECORD_READERS[model]):
                    failures.append((role, model, "record", reads))
                if not reads:
                    continue
                readable = [
                    f for f, roles in fields.items() if roles == ANY or role in roles
                ]
                if readable and not self.call(model, "read", record.ids, readable):
                    failures.append((role, model, "fields", readable))
                failures += [
                    (role, model, fname, "read")
                    for fname in fields
                    if fname not in readable
                    and self.call(model, "read", record.ids, [fname])
                ]
        self.assertFalse(failures)
