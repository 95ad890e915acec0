"""The API's personal data, registered with agencies.pdpa: a partner token records the account that issued it.

- export: the tokens the person's account issued (agency, name, dates), never the hash or its first characters,
  since an export travels by email and USB sticks;
- erase: nothing. A token belongs to the agency's system, not to the administrator who issued it; once the
  person is erased their account is unlinked, so the token no longer leads to them.
"""

from agencies import pdpa
from api.models import ApiToken


def export(person) -> dict[str, list[dict]]:
    user = person.user
    if user is None:
        return {"api_tokens_issued": []}
    return {
        "api_tokens_issued": [
            {
                "organization": token.organization.code,
                "name": token.name,
                "created_at": token.created_at,
                "revoked_at": token.revoked_at,
            }
            for token in ApiToken.objects.filter(created_by=user)
            .select_related("organization")
            .order_by("created_at", "pk")
        ]
    }


pdpa.register(pdpa.PersonalDataHolder(app_label="api", models=(ApiToken,), export=export))
