-- Bulk import/upsert of customers by external id (issue 7, part 4). Rooms already carry their
-- `external_code` (0008_inventory.sql, unique per project: rooms never leave their project).
--
-- A customer's external id is the id another system of the group (OA, a marketing platform, the
-- old CRM) gives the person or company. It is unique per GROUP, not per project: customers are
-- group data that managers reassign across projects of the same city or group (DOMAIN.md,
-- "Customers"), so an id unique per project would stop naming one customer after a reassignment,
-- and the next import in the old project would create the customer a second time. An import runs
-- at one project; a record whose external id belongs to a customer of another project is refused.
ALTER TABLE customers ADD COLUMN external_id text
    CONSTRAINT customers_external_id_format CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$');
CREATE UNIQUE INDEX customers_external_id_key ON customers (group_id, external_id) WHERE external_id IS NOT NULL;
