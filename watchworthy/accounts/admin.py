from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Public profile", {"fields": ("display_name", "bio")}),
    )
    list_display = ("username", "display_name", "email", "is_staff")
