from funding.models.assets import Asset, DurabilityEvent, DurabilityWarning
from funding.models.claims import ClaimedInvoice, ClaimKind, ClaimStatus, CutKind, PaymentClaim, Recovery
from funding.models.documents import Document, DocumentKind
from funding.models.expenses import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    ItemKind,
    Procedure,
    PublicContract,
    PurchaseOrder,
    Supplier,
)
from funding.models.operation import (
    Amendment,
    CostNature,
    ExpenseLine,
    Financer,
    FinancerKind,
    Operation,
    VatBasis,
)
from funding.models.phases import DeploymentPhase, SitePhase
from funding.models.publicity import PublicityEvidence, PublicityRequirement

__all__ = [
    "Amendment",
    "Asset",
    "ClaimKind",
    "ClaimStatus",
    "ClaimedInvoice",
    "CostNature",
    "CutKind",
    "DeploymentPhase",
    "Document",
    "DocumentKind",
    "DurabilityEvent",
    "DurabilityWarning",
    "ExpenseLine",
    "Financer",
    "FinancerKind",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "ItemKind",
    "Operation",
    "PaymentClaim",
    "Procedure",
    "PublicContract",
    "PublicityEvidence",
    "PublicityRequirement",
    "PurchaseOrder",
    "Recovery",
    "SitePhase",
    "Supplier",
    "VatBasis",
]
