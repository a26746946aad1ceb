-- The public pool of a project (customers without an owner), most recently pooled first: what
-- GET /v1/projects/{id}/customer-pool pages through by (pooled_at, id).
CREATE INDEX customers_pool ON customers (group_id, project_id, pooled_at DESC, id DESC)
    WHERE owner_id IS NULL AND merged_into IS NULL;
