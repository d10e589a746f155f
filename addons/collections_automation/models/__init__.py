from . import account_move, collection_bucket, collection_debtor, res_partner
