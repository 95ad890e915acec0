from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from accounts.models import CoordinatorScope


class CoordinatorScopeInline(admin.StackedInline):
    model = CoordinatorScope
    can_delete = True
    filter_horizontal = ["agencies", "tambons"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [CoordinatorScopeInline]
