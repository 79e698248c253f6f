"""Publication (一公开): the results of accepted random-draw visits, published for anyone."""
