from django.contrib.admin.apps import AdminConfig


class MdsAdminConfig(AdminConfig):
    default_site = "mds_connectees.admin.MdsAdminSite"
