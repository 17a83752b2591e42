"""Virtual-visit wording, word for word from the help centre (rule ids beside each)."""

# Button labels (003, 004): the desktop visit dialog and the schedule use these exactly.
MORE_DETAILS = "More Details"
SEND_INVITE = "Send invite to client"
COPY_INVITE = "Copy invite link"
RESEND_INVITE = "Resend invite to client"
CLOCK_IN = "Clock in"
CLOCK_OUT = "Clock out"
JOIN_VIDEO = "Join video session"

# R-VISIT-4
NOT_ASSIGNED = (
    "You need to be assigned to the visit to be able to send an invitation to the client."
)
# R-VISIT-5
NO_CLIENT_EMAIL = "The client does not have an email address."
# R-VISIT-9 ({time} is HH:MM); the hint follows it in the desktop window (003: "Click ...")
CLIENT_NOT_JOINED = "The client has not joined the session yet. The last invite was sent at {time}."
CLIENT_NOT_JOINED_HINT = "Click Resend invite to resend the link for the session to the client."
# R-VISIT-11
CLIENT_HUNG_UP = (
    "The client has hung up. If the session is not supposed to be over, please reach out to "
    "the client."
)
# R-VISIT-12 (shown to the caregiver once they hang up)
SESSION_OVER = "Your session with the client is over. You can now close the page."
# R-VISIT-12: hanging up ends the virtual session for good, so it is confirmed first (our own
# wording: 003 shows a warning here without quoting it)
HANG_UP_TITLE = "Hang up"
HANG_UP_CONFIRM = (
    "Hang up and end the video session for good? The client will not be able to join again, "
    "and no new virtual session can be opened for this visit."
)
HANG_UP = "Hang up"
CANCEL = "Cancel"
# R-VISIT-13 (004: "Tap OK to continue.")
CLOCK_OUT_OK = "OK"
CLOCK_OUT_WARNING = (
    "The video session with your client is still active. Clocking out will not close the video "
    "session so make sure you hang up on the video session as well. Would you like to clock out "
    "anyway?"
)

# Our own wording (not quoted by the help centre): each says what to do next.
# R-VISIT-1
NOT_VIRTUAL = (
    "This visit's service does not allow virtual visits, so it has no video session. "
    "Ask your coordinator to schedule it with a virtual service."
)
# R-VISIT-6
JOIN_NEEDS_CLOCK_IN = "Clock in to the visit before you join the video session."
NO_SESSION_YET = (
    "There is no video session for this visit yet. Send the invite to the client (or copy the "
    "invite link) to create it."
)
# R-VISIT-7
INVITE_OUTDATED = (
    "The time of the visit changed, so the client's earlier link no longer works. "
    "Resend the invite to the client."
)
# R-VISIT-8 (003: "you will need to create a new visit and send a new invite to the client")
LINK_EXPIRED = (
    "The link to this virtual session has expired: links expire 15 minutes after the scheduled "
    "end of the visit. To meet the client by video, create a new visit and send a new invite "
    "to the client."
)
# R-VISIT-12
SESSION_ENDED = (
    "The video session for this visit is over, so no new virtual session can be opened for it. "
    "To meet the client by video again, create a new visit and send a new invite."
)
# R-VISIT-15
CLOCKED_OUT_NO_SESSION = (
    "You have clocked out of this visit, so no new virtual session can be opened for it."
)
NOT_ASSIGNED_CLOCK = "Only the employee assigned to the visit can clock in or out of it."
NOT_ASSIGNED_JOIN = "You need to be assigned to the visit to join its video session."
NOT_ASSIGNED_NOTES = "Only the employee assigned to the visit can document it."
ALREADY_CLOCKED_IN = "You have already clocked in to this visit."
ALREADY_CLOCKED_OUT = "You have already clocked out of this visit."
CLOCK_OUT_NEEDS_CLOCK_IN = "Clock in to the visit before you clock out."
RESEND_NEEDS_SESSION = "No invite has been sent for this visit yet. Send the invite first."
NOTES_CONFLICT = (
    "These notes were changed elsewhere since you started typing. Your text is kept: review the "
    "saved notes, merge your changes and save again."
)
ALREADY_INVITED = "The invite was sent. Use Resend invite to client to send it again."

# The client's browser page (R-VISIT-7, R-VISIT-8, R-VISIT-12): plain reasons, never a broken page
LINK_REASON_INVALID = (
    "This link is not valid. Check that you opened the whole link from the email, or ask your "
    "caregiver to send you a new invite."
)
LINK_REASON_SUPERSEDED = (
    "The time of your visit has changed, so this link no longer works. Please use the newest "
    "invite your caregiver sent you, or ask them to send it again."
)
LINK_REASON_EXPIRED = (
    "This link has expired: visit links work until 15 minutes after the end of the visit. "
    "Please contact your caregiver to arrange a new visit."
)
CLIENT_LEFT_PAGE = (
    "You have left the video visit. If you did not mean to, join again with the button below."
)
CLIENT_WAITING = "Waiting for your caregiver to join the video visit…"
# the caregiver's app paused its video (issue 18: audio first; docs/protocol.md, signal media)
VIDEO_PAUSED_WEAK = "The connection is weak: video is paused to keep the sound clear."
VIDEO_PAUSED_CHOSEN = (
    "Your caregiver chose audio only: video is off both ways to keep the sound clear."
)
CAREGIVER_AWAY = (
    "Your caregiver has left the call for a moment. Please stay on this page: they can join again."
)
LINK_REASON_FINISHED = "This video visit is over. You can close this page."
