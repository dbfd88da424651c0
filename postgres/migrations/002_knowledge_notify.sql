-- Every change to the knowledge base tells the replicas, which reload it:
-- a pair approved through one replica is answered by all of them.
CREATE FUNCTION daoyi_knowledge_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('daoyi_knowledge', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER qa_pairs_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qa_pairs
    FOR EACH STATEMENT EXECUTE FUNCTION daoyi_knowledge_changed();
