"""POST /admin/notification {notification{title, body, icon, clickAction}, filters{tags, owner, token, limit}}:
send a push notification through FCM (admin only). Answers ``{subscribers, batches, sent, deleted}``."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(manager, settings):
    from functions.notifications import Notice, Targets

    note, filters = settings.notification, settings.filters
    notice = Notice(title=note.title, body=note.body, icon=note.icon, click_action=note.click_action)
    targets = Targets(tags=filters.tags, owner=filters.owner, token=filters.token, limit=filters.limit)
    return manager.notifications.send(notice, targets)
