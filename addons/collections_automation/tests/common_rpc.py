"""Calling Odoo as the web client does, for tests that log in as a role."""

from odoo.tests import new_test_user
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

ACCESS_ERROR = "odoo.exceptions.AccessError"


class WebClientMixin:
    """For an ``HttpCase``: log in as a user (whose password is
    ``<login>-pass-1``) and call models over JSON-RPC."""

    @staticmethod
    def role_user(env, login, groups, **values):
        """A user of ``groups`` who can :meth:`login`, in the current
        company unless ``values`` say otherwise."""
        return new_test_user(
            env,
            login,
            groups,
            password=f"{login}-pass-1",
            **{"company_id": env.company.id, **values},
        )

    def login(self, user):
        self.authenticate(user.login, f"{user.login}-pass-1")

    def rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def refused(self, model, method, *args, error=ACCESS_ERROR, **kwargs):
        """The call fails with ``error`` (an access error by default)."""
        with (
            mute_logger("odoo.http", "odoo.addons.base.models.ir_rule"),
            self.assertRaises(JsonRpcException) as caught,
        ):
            self.rpc(model, method, *args, **kwargs)
        self.assertEqual(str(caught.exception), error, f"{model}.{method}")
