"""Marketing campaigns (BEM ``marketing-campaigns``): e-mail and push campaigns, one-off or recurring.

- model.py: the document's shape, ``sendAt`` formats, segment checks (routes/marketing/campaign);
- recurrence.py: BEM's recurrence patterns and the next future occurrence;
- claim.py: the transactional claim and the processing lease;
- dispatch.py: the generator, then e-mail (``manager.marketing``) or push (``manager.notifications``);
- runner.py: the frequent job (cron/frequent/marketing_campaigns.py);
- seeds.py: BEM's recurring campaigns that ``mgr setup`` creates.

See docs/marketing.md.
"""
