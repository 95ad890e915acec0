import pytest

from forums import codes
from tests.factories import make_person, make_session


@pytest.fixture
def two_invitations(db):
    session = make_session()
    other = make_session()
    person = make_person()
    from forums import services

    services.invite(session, [person])
    services.invite(other, [person])
    return session.attendances.get(), other.attendances.get()


def test_code_names_its_invitation(two_invitations):
    row, _other = two_invitations
    assert codes.attendance_for_code(codes.invitation_code(row)) == row
    assert codes.attendance_for_code(codes.invitation_code(row).lower(), session=row.session) == row


def test_code_is_refused_for_another_session(two_invitations):
    row, other = two_invitations
    with pytest.raises(codes.InvalidCode):
        codes.attendance_for_code(codes.invitation_code(row), session=other.session)


@pytest.mark.parametrize("mangle", ["swap_ids", "change_digit", "truncate", "garbage", "empty"])
def test_forged_or_malformed_codes_are_refused(two_invitations, mangle):
    row, other = two_invitations
    code = codes.invitation_code(row)
    session_id, attendance_id, signature = code.split("-")
    forged = {
        "swap_ids": f"{other.session_id}-{other.pk}-{signature}",
        "change_digit": f"{session_id}-{int(attendance_id) + 1}-{signature}",
        "truncate": code[:-1],
        "garbage": "<script>-1-2",
        "empty": "",
    }[mangle]
    with pytest.raises(codes.InvalidCode):
        codes.attendance_for_code(forged)


def test_code_of_a_removed_invitation_is_refused(two_invitations):
    row, _other = two_invitations
    code = codes.invitation_code(row)
    row.delete()
    with pytest.raises(codes.InvalidCode):
        codes.attendance_for_code(code)
