from odoo import http
from odoo.http import content_disposition, request


class CollectionStatementController(http.Controller):
    @http.route(
        "/collections/statement/<int:partner_id>/xlsx",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def statement_xlsx(self, partner_id, **kwargs):
        """The customer's statement as a workbook, for the company the user
        works in; the user must be allowed to read every open item of the
        customer (``collection.statement._open_lines``)."""
        partner = request.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise request.not_found()
        Statement = request.env["collection.statement"]
        content = Statement._xlsx(partner, request.env.company)
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    "Content-Disposition",
                    content_disposition(Statement._filename(partner, "xlsx")),
                ),
            ],
        )
