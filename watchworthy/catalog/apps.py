from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "watchworthy.catalog"
    verbose_name = "Catalog"
