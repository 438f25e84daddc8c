from .transactions import summary_data, validate_transactions
from .clv import *
