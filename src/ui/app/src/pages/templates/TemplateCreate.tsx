/** A new VM template, from the form or as raw text; lands on the new template. */
import { useNavigate } from 'react-router';
import { Tabs } from '../../components/Tabs';
import { useAct } from '../../hooks';
import { RawTemplate } from './RawTemplate';
import { TemplateForm } from './TemplateForm';

export function TemplateCreate() {
  const act = useAct('template');
  const navigate = useNavigate();
  const create = async (text: string) => {
    const id = await act<number>('one.template.allocate', text);
    navigate(`/templates/${id}`);
  };
  return (
    <section>
      <div className="page-head">
        <h1>New VM template</h1>
      </div>
      <Tabs
        tabs={[
          { id: 'form', label: 'Form', render: () => <TemplateForm onSubmit={create} /> },
          { id: 'raw', label: 'Raw text', render: () => <RawTemplate submitLabel="Create template" onSubmit={create} initial={'NAME = "my-template"\nCPU = "1"\nMEMORY = "512"\n'} /> },
        ]}
      />
    </section>
  );
}
