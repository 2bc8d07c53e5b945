"""Campaign content generators: ``functions.marketing.generators.{name}.generate(manager, campaign, *, now)``
answers the settings overlay for one occurrence, or ``None`` when there is nothing to send."""
