"""general:download-app-link: the download page link (BEM's template of the same id)."""


def build(settings, config):
    brand = config.brand
    name = settings.name or ""
    return {
        "payload": {
            "to": {"email": settings.email, "name": name},
            "sender": "marketing",
            "categories": ["download"],
            "subject": f"{name or 'Hey'}, your {brand.name} download link is ready!",
            "template": "card",
            "copy": False,
            "data": {
                "email": {"preview": f"Your {brand.name} download link is inside"},
                "content": {
                    "title": "Your download link is ready!",
                    "message": f"Thanks for your interest in **{brand.name}**! Click the button below to head to the download page and get started.",
                    "button": {"url": f"{brand.url}/download", "text": "Download Now"},
                },
            },
        },
    }
