"""SUP-1 alerts (预警): the thresholds (`thresholds`), the scan that raises alerts on clocks past a
threshold and escalates the unanswered ones (`scan`), the one escalation policy (`escalation`), the
alert actions (`services`), the obligations other systems register (`external`), the scoped reads
(`selectors`) and the pages (`views`).
"""
