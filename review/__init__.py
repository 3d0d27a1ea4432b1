"""Review of the machine coding: corrections, review API and page, recode, agreement, REFI-QDA export."""
