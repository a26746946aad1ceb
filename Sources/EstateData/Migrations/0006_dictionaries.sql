-- Configurable dictionaries per group: values users extend (customer sources, media channels, ...).

CREATE TABLE dictionary_entries (
    group_id    uuid        NOT NULL REFERENCES groups (id),
    dictionary  text        NOT NULL,
    code        text        NOT NULL,
    id          uuid        NOT NULL,
    label       text        NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    sort_order  integer     NOT NULL DEFAULT 0,
    version     integer     NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, dictionary, code),
    CONSTRAINT dictionary_entries_id_key UNIQUE (group_id, id),
    CONSTRAINT dictionary_entries_label_check CHECK (length(btrim(label)) > 0)
);

ALTER TABLE dictionary_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY dictionary_entries_group ON dictionary_entries
    USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
