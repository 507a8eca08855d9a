"""What the core tells the apps built on it.

`case_transitioned(sender=Case, event=CaseEvent)` is sent by `transition()` once the case and
its event are written, inside the transition's transaction: a receiver records its part
(a notice) in that same transaction, so a transition and what it entails commit or roll back
together, and nothing is lost if the process stops right after the commit. What must wait
for the commit (an e-mail, a task) the receiver defers with `transaction.on_commit`, as
notifications does. A receiver that raises refuses the transition. The core imports none of
its receivers: they subscribe in their AppConfig.ready().
"""

from django.dispatch import Signal

case_transitioned = Signal()
