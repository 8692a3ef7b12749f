"""Permission rows of the action plan and data control (merged into
tests/test_permissions.py): owner, consultant and viewer read the plan, owner and consultant
change it and start the next assessment; only the owner deletes and erases."""

from django_scopes import scope

from ..factories import PlanItemFactory
from ..matrix import MANAGERS, READERS, Row, assessment, by_role, org

OWNER = {"owner"}


def plan_item(p):
    with scope(organisation=p.org_a):
        item = PlanItemFactory(organisation=p.org_a)
    return {"org_slug": p.org_a.slug, "item_pk": item.pk}


def respondent(p):
    return {**assessment(p), "respondent_pk": p.respondent.pk}


ROWS = {
    "plan": Row("get", by_role(READERS), kwargs=org),
    "plan_item_new": Row("get", by_role(MANAGERS), kwargs=org),
    "plan_item_edit": Row("get", by_role(MANAGERS), kwargs=plan_item),
    "plan_item_status": Row(
        "post", by_role(MANAGERS, ok=302), kwargs=plan_item, data=lambda p: {"status": "done"}
    ),
    "assessment_next": Row("get", by_role(MANAGERS), kwargs=assessment),
    "audit_log": Row("get", by_role(OWNER), kwargs=org),
    "assessment_data": Row("get", by_role(OWNER), kwargs=assessment),
    "assessment_delete": Row("get", by_role(OWNER), kwargs=assessment),
    "respondent_erase": Row("get", by_role(OWNER), kwargs=respondent),
}
