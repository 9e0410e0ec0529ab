"""The FEDER operation in the Django admin: the approved plan read-only (amendments change it), the rest editable."""

from django.contrib import admin

from funding import models


class ExpenseLineInline(admin.TabularInline):
    model = models.ExpenseLine
    extra = 0
    readonly_fields = ("planned_amount",)


class FinancerInline(admin.TabularInline):
    model = models.Financer
    extra = 0
    readonly_fields = ("rate", "approved_amount")


class AmendmentInline(admin.TabularInline):
    model = models.Amendment
    extra = 0
    readonly_fields = ("number", "signed_on", "reason", "before", "after", "recorded_by", "recorded_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # funding.operations.amendment_record keeps the plan and its shares consistent


@admin.register(models.Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ("title", "codification", "execution_start", "execution_end")
    inlines = [ExpenseLineInline, FinancerInline, AmendmentInline]


@admin.register(models.Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "siret")
    search_fields = ("name", "siret")


@admin.register(models.PublicContract)
class PublicContractAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "supplier", "procedure", "notified_on", "amount")
    list_filter = ("procedure",)
    search_fields = ("number", "subject", "supplier__name")


class InvoiceLineInline(admin.TabularInline):
    model = models.InvoiceLine
    extra = 0


@admin.register(models.Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "supplier", "issued_on", "amount_excl_vat", "eligible_amount", "expense_line", "status")
    list_filter = ("status", "expense_line")
    search_fields = ("number", "supplier__name", "payment_reference")
    inlines = [InvoiceLineInline]


class ClaimedInvoiceInline(admin.TabularInline):
    model = models.ClaimedInvoice
    extra = 0
    raw_id_fields = ("invoice",)


@admin.register(models.PaymentClaim)
class PaymentClaimAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "period_start", "period_end", "status", "entered_by", "validated_by")
    list_filter = ("kind", "status")
    inlines = [ClaimedInvoiceInline]


@admin.register(models.Recovery)
class RecoveryAdmin(admin.ModelAdmin):
    list_display = ("claim", "decided_on", "retained_change", "feder_change")


@admin.register(models.Asset)
class AssetAdmin(admin.ModelAdmin):
    """Read here; registered in the back-office only (funding.assets: serial numbers of the WiFi inventory, never
    more than the line's quantity). An administrator may delete a wrong registration that has no warning."""

    list_display = ("__str__", "kind", "serial_number", "access_point", "site")
    list_filter = ("kind",)
    search_fields = ("serial_number", "label")
    raw_id_fields = ("invoice_line", "access_point")
    readonly_fields = ("invoice_line", "kind", "label", "serial_number", "access_point", "site")

    def has_add_permission(self, request):
        return False


@admin.register(models.DurabilityWarning)
class DurabilityWarningAdmin(admin.ModelAdmin):
    """Read here; acknowledged in the back-office (funding.durability), who and when kept."""

    list_display = ("__str__", "event", "occurred_at", "window_ends_on", "acknowledged_by", "acknowledged_at")
    list_filter = ("event",)
    readonly_fields = (
        "asset", "event", "detail", "occurred_at", "window_ends_on", "acknowledged_by", "acknowledged_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "kind", "sha256", "uploaded_at", "kept_until")
    # A supporting document never changes once filed: its hash proves it (funding.models.documents).
    readonly_fields = ("file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    models.DeploymentPhase,
    models.SitePhase,
    models.PublicityRequirement,
    models.PublicityEvidence,
    models.PurchaseOrder,
):
    admin.site.register(model)
