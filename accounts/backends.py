"""Authentication backend that loads the signed-in user with its unit and group in one query.

Every page shows the user's unit in the navigation bar; loading it with the user keeps the
query count of a page the same whether or not the user belongs to a unit.
"""

from django.contrib.auth.backends import ModelBackend

from .models import User


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = User.objects.select_related("unit__group").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
