"""Read, validate and store workbooks: country returns, targets, evaluations and the work plan."""
